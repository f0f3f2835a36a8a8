"""Pure domain rules: no AWS, no environment, no clock."""
