"""SSO sign-in, registration and account linking (Google, Apple, Microsoft)."""
