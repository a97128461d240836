"""Report: the ranked list, the validation worklist and the decision record, written to files."""
