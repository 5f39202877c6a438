from hookapp.events import publish


def test_placing_an_order_notifies_every_subscriber():
    assert publish("order.placed", {"customer": "ada", "order": 7, "lines": [1, 2]}) == [
        "mail ada: order 7 confirmed",
        "reserved 2 lines",
    ]


def test_cancelling_refunds_minus_the_fee():
    assert publish("order.cancelled", {"paid": 100, "fee": 15}) == ["refund 85"]


def test_topics_without_subscribers():
    assert publish("order.shipped", {}) == []
