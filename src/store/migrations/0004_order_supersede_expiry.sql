-- What an unlock supersedes, and when an order expires.
--
-- An unlock that follows a lock the platform may already hold names that lock, so that the
-- platform and a person reading the trail can tell which lock it undoes. NULL for a lock, and for
-- every unlock stored before this schema.
ALTER TABLE lock_orders ADD COLUMN supersedes_order_id INTEGER REFERENCES lock_orders (order_id);

-- The instant (milliseconds since the Unix epoch) after which the order is never sent, and which
-- the request to the platform carries as not_after. NULL means the order never expires: unlock
-- orders, and every order stored before this schema, which so stays valid and is still sent.
ALTER TABLE lock_orders ADD COLUMN expires_at INTEGER;
