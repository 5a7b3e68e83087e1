"""The Compare page: two to four runs side by side (and the activation gallery's figures)."""
