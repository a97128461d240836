"""A dark or high-contrast desktop: the warning strip stays readable and the charts take the theme's
colours (and give them back), while pictures for files stay dark on white."""

import pytest
from PySide6.QtGui import QColor, QImage, QPalette

from ui.charts import PRINTED

HIGH_CONTRAST = {QPalette.ColorRole.Window: "#000000", QPalette.ColorRole.WindowText: "#ffffff",
                 QPalette.ColorRole.Base: "#000000", QPalette.ColorRole.Text: "#ffffff",
                 QPalette.ColorRole.Button: "#000000", QPalette.ColorRole.ButtonText: "#ffffff",
                 QPalette.ColorRole.Highlight: "#1aebff", QPalette.ColorRole.HighlightedText: "#000000"}


@pytest.fixture
def high_contrast(qapp):
    """Windows' High Contrast Black, as Qt's palette; the desktop's own palette back afterwards."""
    before = QPalette(qapp.palette())
    palette = QPalette(before)
    for role, colour in HIGH_CONTRAST.items():
        palette.setColor(role, QColor(colour))
    qapp.setPalette(palette)
    yield palette
    qapp.setPalette(before)


def contrast(first: QColor, second: QColor) -> float:
    """WCAG's contrast ratio of two colours (4.5 or more: readable text)."""
    def luminance(colour: QColor) -> float:
        parts = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in colour.getRgbF()[:3]]
        return 0.2126 * parts[0] + 0.7152 * parts[1] + 0.0722 * parts[2]
    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def text_contrast(image: QImage) -> float:
    """The contrast of the text drawn in a picture of a label against its background (its corner)."""
    background = image.pixelColor(1, 1)
    return max(contrast(background, image.pixelColor(x, y)) for x in range(image.width()) for y in range(image.height()))


def test_the_warning_strip_reads_under_a_high_contrast_theme(qtbot, app, high_contrast):
    window, _controller, _path = app
    strip = window.warning_strip
    qtbot.waitUntil(strip.isVisible)  # the demo list's warnings: "Check before using this list"
    image = strip.grab(strip.text.geometry()).toImage()  # the strip's own background behind the label
    assert QColor(image.pixelColor(1, 1)).lightnessF() < 0.5  # dark amber behind light text
    assert text_contrast(image) >= 7


def test_the_charts_follow_a_dark_palette_and_back(qtbot, app, qapp):
    window, controller, _path = app
    window.tabs.setCurrentWidget(controller.equity)
    equity = controller.equity
    qtbot.waitUntil(lambda: bool(equity._plots))
    light = equity.graphics.backgroundBrush().color().name()
    palette = QPalette(qapp.palette())
    for role, colour in HIGH_CONTRAST.items():
        palette.setColor(role, QColor(colour))
    before = QPalette(qapp.palette())
    qapp.setPalette(palette)
    try:
        charts = [equity.graphics, window.summary.plot, controller.explain.plot]
        qtbot.waitUntil(lambda: all(chart.backgroundBrush().color().name() == "#000000" for chart in charts))
        axis = equity.plots["mean"].getAxis("left")
        assert axis.textPen().color().name() == "#ffffff" and equity.plots["mean"].titleLabel.opts["color"] == "#ffffff"
        picture = QImage.fromData(equity.chart_png())  # a file's picture: dark on white, as on paper
        assert picture.pixelColor(2, 2).name() == PRINTED.background
        assert equity.graphics.backgroundBrush().color().name() == "#000000"  # and the screen as it was
    finally:
        qapp.setPalette(before)
    qtbot.waitUntil(lambda: equity.graphics.backgroundBrush().color().name() == light)
