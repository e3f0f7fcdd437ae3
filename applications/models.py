"""The decision side: application forms, applications, panels and reviews."""
