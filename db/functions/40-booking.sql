-- Booking primitives shared by the staff and citizen paths (issue 11). Applied after the migrations
-- on every boot by db/migrate.ts runMigrations (db/functions.ts); history: migration 20261126000000.

CREATE OR REPLACE FUNCTION next_booking_number() RETURNS text LANGUAGE sql VOLATILE AS $$
	SELECT substr(x, 1, 4) || '-' || substr(x, 5)
	  FROM (SELECT lpad(((nextval('reservation_number_seq') * 48271 + 20261124) % 100000000)::text, 8, '0') AS x) b
$$;

CREATE OR REPLACE FUNCTION booking_refuse(reason text, detail jsonb DEFAULT '{}'::jsonb) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION USING ERRCODE = 'MNR01', MESSAGE = reason, DETAIL = detail::text;
END
$$;

-- The cards of a booking, locked in id order, with each one's active booking (R-C12).
CREATE OR REPLACE FUNCTION booking_lock_cards(p_ids bigint[]) RETURNS jsonb LANGUAGE sql VOLATILE AS $$
	SELECT coalesce(jsonb_agg(jsonb_build_object('id', x.id::text, 'notice_id', x.notice_id, 'md', x.md, 'status', x.status, 'active_booking', x.active_booking) ORDER BY x.id), '[]'::jsonb)
	  FROM (SELECT c.id, c.notice_id, to_char(c.birth_date, 'MM-DD') AS md, c.status,
	               (SELECT r.booking_number FROM reservation_persons p JOIN reservations r ON r.id = p.reservation_id
	                 WHERE p.card_record_id = c.id AND p.active LIMIT 1) AS active_booking
	          FROM card_records c WHERE c.id = ANY (p_ids) ORDER BY c.id FOR UPDATE OF c) x
$$;

-- Refuses (nothing written) when a card is booked already or in a status that may not be booked.
CREATE OR REPLACE FUNCTION booking_check_cards(p_cards jsonb, p_bookable text[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	IF EXISTS (SELECT 1 FROM jsonb_array_elements(p_cards) c
	            WHERE c->>'active_booking' IS NOT NULL OR c->>'status' = 'reserved' OR NOT (c->>'status' = ANY (p_bookable))) THEN
		PERFORM booking_refuse('card', jsonb_build_object('cards', p_cards));
	END IF;
END
$$;
