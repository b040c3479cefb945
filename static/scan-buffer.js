/*
 * R-S15: a USB QR reader types the moment the counter page appears, often before the page's
 * scripts have taken over (and before the browser has applied autofocus). Until then this
 * records what is typed outside a form field and hands it to the scan field (#code), Enter
 * included, so no character of a scan is lost. The page calls window.__scanBuffer.stop() once
 * its own handler is in place.
 */
(function () {
	if (window.__scanBuffer) return; // once per page load; after that the page handles the reader itself
	var pending = '';
	var enter = false;
	function field() {
		return document.getElementById('code');
	}
	function flush() {
		var f = field();
		if (!f) return false;
		if (document.activeElement !== f) f.focus();
		if (pending) {
			f.value += pending;
			pending = '';
		}
		if (enter && f.form) {
			enter = false;
			if (f.form.requestSubmit) f.form.requestSubmit();
			else f.form.submit();
		}
		return true;
	}
	function keydown(e) {
		var t = e.target;
		if (e.ctrlKey || e.metaKey || e.altKey) return;
		if (t && t.tagName && /^(INPUT|TEXTAREA|SELECT|BUTTON)$/.test(t.tagName)) return;
		if (e.key === 'Enter') {
			if (!pending && !field()) return;
			enter = true;
		} else if (e.key && e.key.length === 1) {
			pending += e.key;
		} else return;
		e.preventDefault();
		flush();
	}
	document.addEventListener('keydown', keydown, true);
	document.addEventListener('DOMContentLoaded', flush);
	window.__scanBuffer = {
		stop: function () {
			document.removeEventListener('keydown', keydown, true);
			document.removeEventListener('DOMContentLoaded', flush);
			flush();
		}
	};
})();
