/* tldb html exporter: tooltips for the picture and the tag filters.
 * Hovering or focusing an event shows its entry from the list (date,
 * title, body, sources); unticking a tag in the legend hides its events.
 * The page works without this script (the filters are then hidden). */
(function () {
	'use strict';
	document.documentElement.classList.add('js');
	var tip = document.createElement('div');
	tip.id = 'tip';
	tip.setAttribute('role', 'tooltip');
	tip.hidden = true;
	document.body.appendChild(tip);
	var current = null;

	function target(e) {
		var t = e.target;
		return t && t.closest ? t.closest('a.ev') : null;
	}

	function show(a) {
		var li = document.getElementById(
			(a.getAttribute('href') || '').slice(1));
		if (!li)
			return;
		if (current !== a) {
			tip.replaceChildren();
			for (var i = 0; i < li.children.length; i++)
				tip.appendChild(li.children[i].cloneNode(true));
			current = a;
		}
		tip.hidden = false;
		var r = a.getBoundingClientRect();
		var w = tip.offsetWidth, h = tip.offsetHeight;
		var x = Math.min(Math.max(4, r.left), window.innerWidth - w - 4);
		var y = r.bottom + 6;
		if (y + h > window.innerHeight)
			y = Math.max(4, r.top - h - 6);
		tip.style.left = x + 'px';
		tip.style.top = y + 'px';
	}

	function hide() {
		tip.hidden = true;
		current = null;
	}

	document.addEventListener('mouseover', function (e) {
		var a = target(e);
		if (a)
			show(a);
	});
	document.addEventListener('mouseout', function (e) {
		var a = target(e);
		if (a && !a.contains(e.relatedTarget))
			hide();
	});
	document.addEventListener('focusin', function (e) {
		var a = target(e);
		if (a)
			show(a);
		else
			hide();
	});
	var boxes = document.querySelectorAll('.legend input[type=checkbox]');
	for (var i = 0; i < boxes.length; i++)
		boxes[i].addEventListener('change', function () {
			document.body.classList.toggle(
				'hide-t' + this.id.slice(1), !this.checked);
		});
	document.addEventListener('keydown', function (e) {
		if (e.key === 'Escape')
			hide();
	});
})();
