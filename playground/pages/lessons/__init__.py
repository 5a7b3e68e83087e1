"""The Lessons page: the lecture notes' chapters as guided walk-throughs."""
