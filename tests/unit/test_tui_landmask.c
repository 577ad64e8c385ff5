/* landmask and projection: Frankfurt is on land in Europe, the oceans are
 * water, and markers land in the right canvas cell. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "landmask.h"

static void
test_land_and_water(void **state)
{
	(void)state;
	assert_int_equal(landmask_width(), 720);
	assert_int_equal(landmask_height(), 360);
	assert_true(landmask_is_land(50.1, 8.7)); /* Frankfurt */
	assert_true(landmask_is_land(38.9, -77.0)); /* Virginia */
	assert_true(landmask_is_land(-33.9, 151.0)); /* Sydney */
	assert_true(landmask_is_land(-25.0, 134.0)); /* central Australia */
	assert_true(landmask_is_land(60.0, 100.0)); /* Siberia */
	assert_true(landmask_is_land(67.0, 172.0)); /* Chukotka */
	assert_true(landmask_is_land(67.5, -177.0)); /* east of 180 */
	assert_true(landmask_is_land(-85.0, 0.0)); /* Antarctica */
	assert_false(landmask_is_land(40.0, -40.0)); /* North Atlantic */
	assert_false(landmask_is_land(0.0, -140.0)); /* Pacific */
	assert_false(landmask_is_land(-20.0, 80.0)); /* Indian Ocean */
	assert_false(landmask_is_land(43.0, 5.5)); /* off Marseille */
	assert_true(landmask_coverage(55, 0, 45, 15) > 0.6);
	assert_true(landmask_coverage(40, -50, 30, -30) < 0.05);
}

static void
test_projection_frankfurt(void **state)
{
	int x, y;
	double lat, lon;

	(void)state;
	/* a 46 x 7 cell braille map: 92 x 28 dots */
	landmask_project(50.1, 8.7, 92, 28, &x, &y);
	/* (8.7 + 180) / 360 * 92 = 48.2; (84 - 50.1) / 142 * 28 = 6.7 */
	assert_int_equal(x, 48);
	assert_int_equal(y, 6);
	assert_int_equal(x / 2, 24); /* cell column */
	assert_int_equal(y / 4, 1); /* cell row */
	/* the dot's centre is near Frankfurt, over land, in Europe */
	landmask_unproject(x, y, 92, 28, &lat, &lon);
	assert_true(lat > 45 && lat < 55);
	assert_true(lon > 5 && lon < 12);
	assert_true(
	    landmask_coverage(lat + 2.5, lon - 2, lat - 2.5, lon + 2) > 0.5);
	/* west is left, south is down */
	int xv, yv, xs, ys;
	landmask_project(38.9, -77.0, 92, 28, &xv, &yv);
	landmask_project(-33.9, 151.0, 92, 28, &xs, &ys);
	assert_true(xv < x && x < xs);
	assert_true(y < yv && yv < ys);
	/* out of range is clamped into the canvas */
	landmask_project(89.0, 180.0, 92, 28, &x, &y);
	assert_int_equal(x, 91);
	assert_int_equal(y, 0);
	landmask_project(-89.0, -180.0, 92, 28, &x, &y);
	assert_int_equal(x, 0);
	assert_int_equal(y, 27);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_land_and_water),
	    cmocka_unit_test(test_projection_frankfurt),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
