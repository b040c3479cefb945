-- The citizen's hold and its confirmation, one round trip each (issue 11; history: migration 20261126000000).

/*
 * R-C15 with R-C03, R-C12: a citizen session holds exactly as many places as persons on the
 * slots of one visit. Persons are either typed (notice IDs with birth month-days, each must
 * match exactly one card) or cards verified earlier in this session (p_card_ids).
 */
CREATE OR REPLACE FUNCTION citizen_hold(
	p_hold_id uuid, p_session_id uuid, p_location_id integer, p_purpose_id integer, p_slot_ids bigint[],
	p_notice_ids text[], p_month_days text[], p_card_ids bigint[],
	p_now timestamptz, p_expires_at timestamptz, p_bookable text[], p_sync text
) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
	v_ids bigint[];
	v_cards jsonb;
	v_card_ids bigint[];
	v_n integer;
	v_old bigint[];
	v_lock bigint[];
	v_count integer;
	v_mine record;
	v_exp record;
	v_replaced jsonb := '[]'::jsonb;
BEGIN
	IF p_sync IS NOT NULL THEN PERFORM set_config('synchronous_commit', p_sync, true); END IF;
	-- cards first
	IF p_notice_ids IS NOT NULL THEN
		v_ids := ARRAY(SELECT c.id FROM card_records c
		                WHERE c.notice_id = ANY (p_notice_ids)
		                  AND (c.notice_id, to_char(c.birth_date, 'MM-DD')) IN (SELECT * FROM unnest(p_notice_ids, p_month_days)));
	ELSE
		v_ids := p_card_ids;
	END IF;
	v_cards := booking_lock_cards(v_ids);
	IF p_notice_ids IS NOT NULL THEN
		-- each person exactly one card (a notice ID repeated with the same month and day: only
		-- the counter can tell them apart), in the order the persons were given
		FOR i IN 1 .. cardinality(p_notice_ids) LOOP
			SELECT count(*) INTO v_count FROM jsonb_array_elements(v_cards) c WHERE c->>'notice_id' = p_notice_ids[i] AND c->>'md' = p_month_days[i];
			IF v_count <> 1 THEN PERFORM booking_refuse('not_verified'); END IF;
		END LOOP;
		v_card_ids := ARRAY(
			SELECT (SELECT (c->>'id')::bigint FROM jsonb_array_elements(v_cards) c WHERE c->>'notice_id' = w.n AND c->>'md' = w.m)
			  FROM unnest(p_notice_ids, p_month_days) WITH ORDINALITY AS w(n, m, o) ORDER BY w.o);
	ELSE
		IF jsonb_array_length(v_cards) <> cardinality(p_card_ids) THEN PERFORM booking_refuse('not_verified'); END IF;
		v_card_ids := p_card_ids;
	END IF;
	PERFORM booking_check_cards(v_cards, p_bookable);
	IF EXISTS (SELECT 1 FROM holds WHERE released_at IS NULL AND expires_at > p_now AND card_ids && v_card_ids
	              AND citizen_session_id IS DISTINCT FROM p_session_id) THEN
		PERFORM booking_refuse('held_elsewhere');
	END IF;
	-- then the slots: the visit's and those of this session's earlier hold, in id order
	v_old := ARRAY(SELECT s FROM holds h, unnest(h.slot_ids) s WHERE h.citizen_session_id = p_session_id AND h.released_at IS NULL);
	v_lock := ARRAY(SELECT DISTINCT x FROM unnest(p_slot_ids || v_old) x ORDER BY x);
	SELECT count(*) INTO v_count FROM (SELECT id FROM slots WHERE id = ANY (v_lock) ORDER BY id FOR NO KEY UPDATE) l;
	IF v_count <> cardinality(v_lock) THEN PERFORM booking_refuse('slot_not_found'); END IF;
	-- then the holds: one live hold per session, the earlier one is given back
	FOR v_mine IN SELECT id, slot_ids, party_size, location_id FROM holds
	               WHERE citizen_session_id = p_session_id AND released_at IS NULL ORDER BY id FOR UPDATE LOOP
		UPDATE holds SET released_at = p_now, release_reason = 'cancelled' WHERE id = v_mine.id;
		UPDATE slots SET held = held - v_mine.party_size, version = version + 1, updated_at = now() WHERE id = ANY (v_mine.slot_ids);
		v_replaced := v_replaced || jsonb_build_array(jsonb_build_object('location_id', v_mine.location_id,
			'dates', (SELECT jsonb_agg(DISTINCT date::text) FROM slots WHERE id = ANY (v_mine.slot_ids))));
	END LOOP;
	-- expired holds lying wholly within these slots give their places back now
	FOR v_exp IN UPDATE holds SET released_at = p_now, release_reason = 'expired'
	              WHERE released_at IS NULL AND expires_at <= p_now AND slot_ids && p_slot_ids AND slot_ids <@ p_slot_ids
	          RETURNING slot_ids, party_size LOOP
		UPDATE slots SET held = held - v_exp.party_size, version = version + 1, updated_at = now() WHERE id = ANY (v_exp.slot_ids);
	END LOOP;
	-- DESIGN's conditional UPDATE: a place only while booked + held + n <= capacity
	v_n := cardinality(v_card_ids);
	UPDATE slots SET held = held + v_n, version = version + 1, updated_at = now()
	 WHERE id = ANY (p_slot_ids) AND booked + held + v_n <= capacity;
	GET DIAGNOSTICS v_count = ROW_COUNT;
	IF v_count <> cardinality(p_slot_ids) THEN PERFORM booking_refuse('full'); END IF;
	INSERT INTO holds (id, location_id, purpose_id, slot_ids, party_size, citizen_session_id, card_ids, expires_at)
	VALUES (p_hold_id, p_location_id, p_purpose_id, p_slot_ids, v_n, p_session_id, v_card_ids, p_expires_at);
	RETURN jsonb_build_object(
		'party_size', v_n,
		'replaced', v_replaced,
		'slots', (SELECT jsonb_agg(jsonb_build_object('id', id::text, 'date', date::text, 'starts_at', starts_at, 'ends_at', ends_at) ORDER BY starts_at)
		            FROM slots WHERE id = ANY (p_slot_ids)));
END
$$;

CREATE OR REPLACE FUNCTION citizen_reservation_json(p_id bigint) RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object('id', id::text, 'booking_number', booking_number, 'public_ref', public_ref, 'token_version', token_version,
	                          'location_id', location_id, 'purpose_id', purpose_id, 'date', date::text, 'starts_at', starts_at,
	                          'ends_at', ends_at, 'party_size', party_size)
	  FROM reservations WHERE id = p_id
$$;

/*
 * A live hold becomes the booking: the held places become booked places (already counted),
 * the cards move to 予約済 with history (R-S08), the audit row (R-O03) and the outbox row of
 * the confirmation mail. An expired hold is released (committed) and reported, never
 * confirmed; a hold confirmed already answers its booking again (a double click).
 */
CREATE OR REPLACE FUNCTION citizen_confirm(
	p_hold_id uuid, p_session_id uuid, p_now timestamptz, p_bookable text[], p_email text, p_lang text, p_ip text, p_sync text
) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
	h holds%ROWTYPE;
	v_cards jsonb;
	v_date date;
	v_start timestamptz;
	v_end timestamptz;
	v_rid bigint;
	v_dates jsonb;
	v_slot_ids jsonb;
BEGIN
	IF p_sync IS NOT NULL THEN PERFORM set_config('synchronous_commit', p_sync, true); END IF;
	SELECT * INTO h FROM holds WHERE id = p_hold_id;
	IF NOT FOUND OR h.citizen_session_id IS DISTINCT FROM p_session_id THEN PERFORM booking_refuse('hold_not_found'); END IF;
	IF h.release_reason = 'confirmed' AND h.reservation_id IS NOT NULL THEN
		RETURN jsonb_build_object('kind', 'again', 'reservation', citizen_reservation_json(h.reservation_id));
	END IF;
	IF h.released_at IS NOT NULL THEN PERFORM booking_refuse('hold_gone'); END IF;
	SELECT jsonb_agg(DISTINCT date::text), (array_agg(date ORDER BY starts_at))[1], min(starts_at), max(ends_at),
	       jsonb_agg(id::text ORDER BY starts_at)
	  INTO v_dates, v_date, v_start, v_end, v_slot_ids
	  FROM slots WHERE id = ANY (h.slot_ids);
	IF h.expires_at <= p_now THEN
		-- slots, then the hold: the order the expiry job uses
		PERFORM 1 FROM (SELECT id FROM slots WHERE id = ANY (h.slot_ids) ORDER BY id FOR NO KEY UPDATE) l;
		SELECT * INTO h FROM holds WHERE id = p_hold_id FOR UPDATE;
		IF h.release_reason = 'confirmed' AND h.reservation_id IS NOT NULL THEN
			RETURN jsonb_build_object('kind', 'again', 'reservation', citizen_reservation_json(h.reservation_id));
		END IF;
		IF h.released_at IS NOT NULL THEN PERFORM booking_refuse('hold_gone'); END IF;
		UPDATE holds SET released_at = p_now, release_reason = 'expired' WHERE id = p_hold_id;
		UPDATE slots SET held = held - h.party_size, version = version + 1, updated_at = now() WHERE id = ANY (h.slot_ids);
		RETURN jsonb_build_object('kind', 'expired', 'location_id', h.location_id, 'dates', v_dates);
	END IF;
	IF v_start <= p_now THEN PERFORM booking_refuse('passed'); END IF;
	-- cards, then slots, then the hold (the order every booking takes)
	v_cards := booking_lock_cards(h.card_ids);
	-- a double click: the other request may have confirmed this very hold while we waited for the cards
	PERFORM 1 FROM holds WHERE id = p_hold_id AND release_reason = 'confirmed';
	IF FOUND THEN
		RETURN jsonb_build_object('kind', 'again', 'reservation', citizen_reservation_json((SELECT reservation_id FROM holds WHERE id = p_hold_id)));
	END IF;
	IF jsonb_array_length(v_cards) <> cardinality(h.card_ids) THEN PERFORM booking_refuse('hold_gone'); END IF;
	PERFORM booking_check_cards(v_cards, p_bookable);
	INSERT INTO reservations (booking_number, location_id, purpose_id, party_size, date, starts_at, ends_at, email, lang, source, created_by)
	VALUES (next_booking_number(), h.location_id, h.purpose_id, h.party_size, v_date, v_start, v_end, p_email, p_lang, 'citizen', NULL)
	RETURNING id INTO v_rid;
	INSERT INTO reservation_slots (reservation_id, slot_id) SELECT v_rid, unnest(h.slot_ids);
	-- persons in card id order (the order cards are locked in); the partial unique index
	-- refuses a card active elsewhere, whatever the race (R-C12)
	INSERT INTO reservation_persons (reservation_id, card_record_id, position)
	SELECT v_rid, u.cid, u.o::smallint FROM unnest(h.card_ids) WITH ORDINALITY AS u(cid, o) ORDER BY u.cid;
	UPDATE card_records SET status = 'reserved', updated_at = now() WHERE id = ANY (h.card_ids);
	INSERT INTO card_status_history (card_record_id, from_status, to_status, actor_type, actor_id, reservation_id, note)
	SELECT (c->>'id')::bigint, c->>'status', 'reserved', 'citizen', NULL, v_rid, NULL FROM jsonb_array_elements(v_cards) c;
	PERFORM 1 FROM (SELECT id FROM slots WHERE id = ANY (h.slot_ids) ORDER BY id FOR NO KEY UPDATE) l;
	SELECT * INTO h FROM holds WHERE id = p_hold_id FOR UPDATE;
	IF h.released_at IS NOT NULL THEN PERFORM booking_refuse('hold_gone'); END IF;
	UPDATE slots SET held = held - h.party_size, booked = booked + h.party_size, version = version + 1, updated_at = now()
	 WHERE id = ANY (h.slot_ids);
	UPDATE holds SET released_at = p_now, release_reason = 'confirmed', reservation_id = v_rid WHERE id = p_hold_id;
	INSERT INTO audit_log (actor_type, actor_id, action, target_type, target_id, detail, ip)
	VALUES ('citizen', NULL, 'reservation.created', 'reservation', v_rid::text,
	        jsonb_build_object('source', 'citizen', 'slotIds', v_slot_ids, 'partySize', h.party_size, 'purposeId', h.purpose_id, 'holdId', h.id),
	        p_ip);
	INSERT INTO outbox (topic, payload) VALUES ('reservation.created', jsonb_build_object('reservationId', v_rid::text));
	RETURN jsonb_build_object('kind', 'booked', 'reservation', citizen_reservation_json(v_rid), 'dates', v_dates,
		'card_changes', (SELECT jsonb_agg(jsonb_build_object('cardId', c->>'id', 'from', c->>'status')) FROM jsonb_array_elements(v_cards) c));
END
$$;
