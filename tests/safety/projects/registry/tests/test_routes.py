def test_health(client):
    assert client.get("/health").body == {"status": "ok", "version": "2.1"}


def test_listing_is_paged(client):
    response = client.get("/items")
    assert response.status == 200
    assert response.body == {"items": ["kettle", "teapot"], "more": True}


def test_an_item_by_id(client):
    assert client.get("/items/3").body == {"name": "mug", "price": 450}


def test_a_missing_item(client):
    assert client.get("/items/9").status == 404


def test_creating_an_item(client):
    response = client.post("/items", {"name": "spoon", "price": 90})
    assert response.status == 201
    assert client.get(f"/items/{response.body['id']}").body == {"name": "spoon", "price": 90}


def test_creating_needs_a_price(client):
    assert client.post("/items", {"name": "spoon"}).status == 400


def test_cheap_items(client):
    assert client.get("/items/cheap/2000").body == {"items": ["teapot", "mug"]}


def test_unknown_routes(client):
    assert client.get("/nowhere").status == 404
    assert client.post("/health").status == 404


def test_admin_paths_are_blocked(client):
    assert client.get("/admin/items").status == 403
