"""The survivor's support plan: goals in her words, actions, approval, reviews, and the
record of the assistance she received (issue 16)."""
