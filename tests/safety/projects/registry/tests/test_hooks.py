from hookapp import hooks


def test_hooks_run_in_reverse_order_of_registration():
    assert hooks.shutdown() == ["logs flushed", "connections closed"]


def test_each_hook_alone():
    assert hooks.close_connections() == "connections closed"
    assert hooks.flush_logs() == "logs flushed"
