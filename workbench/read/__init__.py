"""Read: a waiting-list file into text columns, which column holds which field, typed values."""
