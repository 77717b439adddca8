"""Server status: the poller and its query source, boards, alerts and presence."""
