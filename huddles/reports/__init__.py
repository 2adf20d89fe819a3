"""Reports: did our huddles happen, who missed them, who is never thanked, which topics land."""
