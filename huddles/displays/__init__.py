"""Break-room screens: paired with a code, then showing their location's huddle of the moment."""
