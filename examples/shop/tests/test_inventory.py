def test_take(inventory):
    inventory.take("apple", 4)
    assert inventory.stock["apple"] == 6
