/* layout: rectangles at several sizes tile the screen, the minimum is
 * 80x24, and the map turns schematic when it gets too small. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <string.h>

#include "layout.h"

/* Every cell of the screen belongs to exactly one pane. */
static void
assert_tiles(const Layout *l)
{
	static unsigned char owner[300][400];

	assert_true(l->lines <= 300 && l->cols <= 400);
	memset(owner, 0, sizeof(owner));
	for (int p = 0; p < PANE__COUNT; p++) {
		Rect r = l->pane[p];
		assert_true(layout_rect_ok(l, r));
		for (int y = r.y; y < r.y + r.h; y++)
			for (int x = r.x; x < r.x + r.w; x++) {
				assert_int_equal(owner[y][x], 0);
				owner[y][x] = (unsigned char)(p + 1);
			}
	}
	for (int y = 0; y < l->lines; y++)
		for (int x = 0; x < l->cols; x++)
			assert_int_not_equal(owner[y][x], 0);
}

static void
test_80x24_shows_everything(void **state)
{
	Layout l;

	(void)state;
	layout_compute(&l, 24, 80, 3);
	assert_false(l.too_small);
	assert_false(l.map_schematic);
	assert_tiles(&l);
	assert_int_equal(l.endpoint_rows, 3);
	/* title + header + 3 rows; title + 3 rows + axis */
	assert_int_equal(l.pane[PANE_ENDPOINTS].h, 5);
	assert_int_equal(l.pane[PANE_TIMELINE].h, 5);
	assert_true(l.pane[PANE_MAP].h >= 6);
	assert_true(l.pane[PANE_EVENTS].h >= 3);
	assert_true(l.pane[PANE_TTL].w >= 34);
	assert_int_equal(l.pane[PANE_STATUS].y, 22);
	assert_int_equal(l.pane[PANE_STATUS].h, 2);
}

static void
test_large(void **state)
{
	Layout l;

	(void)state;
	layout_compute(&l, 60, 200, 3);
	assert_false(l.too_small);
	assert_false(l.map_schematic);
	assert_tiles(&l);
	assert_true(l.pane[PANE_MAP].w > 120);
	assert_true(l.pane[PANE_EVENTS].h > 10);
	layout_compute(&l, 300, 400, 3);
	assert_tiles(&l);
}

static void
test_too_small(void **state)
{
	Layout l;

	(void)state;
	layout_compute(&l, 20, 60, 3);
	assert_true(l.too_small);
	layout_compute(&l, 23, 80, 3);
	assert_true(l.too_small);
	layout_compute(&l, 24, 79, 3);
	assert_true(l.too_small);
	layout_compute(&l, 24, 80, 3);
	assert_false(l.too_small);
}

static void
test_many_endpoints_shrink_and_schematic(void **state)
{
	Layout l;

	(void)state;
	layout_compute(&l, 24, 80, 12);
	assert_false(l.too_small);
	assert_tiles(&l);
	assert_true(l.endpoint_rows >= 1 && l.endpoint_rows < 12);
	assert_true(l.map_schematic);
	assert_true(l.pane[PANE_MAP].h >= 4);
	assert_true(l.pane[PANE_EVENTS].h >= 3);
	/* with room, all 12 are shown and the map comes back */
	layout_compute(&l, 60, 200, 12);
	assert_tiles(&l);
	assert_int_equal(l.endpoint_rows, 12);
	assert_false(l.map_schematic);
}

static void
test_dialog_centred_and_clipped(void **state)
{
	Layout l;
	Rect r;

	(void)state;
	layout_compute(&l, 24, 80, 3);
	r = layout_dialog(&l, 10, 40);
	assert_int_equal(r.y, 7);
	assert_int_equal(r.x, 20);
	r = layout_dialog(&l, 100, 200);
	assert_true(layout_rect_ok(&l, r));
	assert_int_equal(r.h, 22);
	assert_int_equal(r.w, 78);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_80x24_shows_everything),
	    cmocka_unit_test(test_large),
	    cmocka_unit_test(test_too_small),
	    cmocka_unit_test(test_many_endpoints_shrink_and_schematic),
	    cmocka_unit_test(test_dialog_centred_and_clipped),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
