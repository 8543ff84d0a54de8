"""Early warning: settings, facts and stored scores, absence reports, support actions, the back-test."""
