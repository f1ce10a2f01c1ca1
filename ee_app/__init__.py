"""ee-app: employee experience for beauty and medical-aesthetic chains."""
