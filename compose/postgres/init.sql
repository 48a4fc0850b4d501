-- Sample shop database for docker compose: a replication user that owns the tables it migrates
-- (CREATE PUBLICATION ... FOR TABLE needs ownership), and rows for the initial snapshot.
CREATE ROLE greenlight LOGIN REPLICATION PASSWORD 'greenlight';
GRANT CREATE ON DATABASE shop TO greenlight;

CREATE TABLE customers (
    id      serial PRIMARY KEY,
    name    text NOT NULL,
    email   varchar(200),
    balance numeric(12, 2),
    created timestamptz NOT NULL DEFAULT now(),
    active  boolean NOT NULL DEFAULT true
);
CREATE TABLE orders (
    id          bigserial PRIMARY KEY,
    customer_id int REFERENCES customers (id),
    status      varchar(20) NOT NULL,
    total       numeric(10, 2) NOT NULL,
    placed_at   timestamp NOT NULL DEFAULT now()
);
ALTER TABLE customers OWNER TO greenlight;
ALTER TABLE orders OWNER TO greenlight;

INSERT INTO customers (name, email, balance, created, active)
SELECT 'customer ' || g, 'c' || g || '@example.com', g * 1.25,
       timestamptz '2024-01-01 00:00:00+00' + g * interval '1 hour', g % 5 <> 0
FROM generate_series(1, 1000) g;

INSERT INTO orders (customer_id, status, total, placed_at)
SELECT 1 + g % 1000, (ARRAY['new', 'paid', 'shipped', 'delivered'])[1 + g % 4], round((g % 500) * 1.99, 2),
       timestamp '2024-06-01 00:00:00' + g * interval '7 minutes'
FROM generate_series(1, 10000) g;
