-- A small shop: what the demo migrates.
CREATE TABLE customers (
    id          serial PRIMARY KEY,
    name        text NOT NULL,
    email       varchar(200) UNIQUE,
    balance     numeric(12,2) NOT NULL DEFAULT 0,
    created_at  timestamptz NOT NULL DEFAULT now(),
    active      boolean NOT NULL DEFAULT true
);
CREATE TABLE orders (
    id           bigserial PRIMARY KEY,
    customer_id  int NOT NULL REFERENCES customers(id),
    status       varchar(20) NOT NULL,
    total        numeric(10,2) NOT NULL,
    placed_at    timestamp NOT NULL DEFAULT now()
);
INSERT INTO customers (name, email, balance)
SELECT 'Customer ' || g, 'customer' || g || '@example.com', round((random() * 1000)::numeric, 2)
FROM generate_series(1, 1000) g;
INSERT INTO orders (customer_id, status, total)
SELECT 1 + (g % 1000), 'new', round((random() * 200)::numeric, 2)
FROM generate_series(1, 5000) g;
