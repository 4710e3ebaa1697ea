"""Files at the edge: snapshot files read for `airhotline detect`, conflict tables written."""
