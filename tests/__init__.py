"""Test suite: unit and AppTest tests here, browser tests in tests/e2e."""
