"""Early warning (预警): the rule-based risk score of a pupil, its factors, and the back-test."""
