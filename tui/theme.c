#include "theme.h"

#include "colourfit.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *const theme_cycle[] = {
    "dark", "light", "high-contrast", "mono", NULL};

static const char *const role_names[] = {
#define THEME_NAME(name, str, fg, bg, attrs, mono) str,
    THEME_ROLES(THEME_NAME)
#undef THEME_NAME
};

static const RoleStyle dark_table[] = {
#define THEME_DARK(name, str, fg, bg, attrs, mono) {fg, bg, attrs},
    THEME_ROLES(THEME_DARK)
#undef THEME_DARK
};

static const RoleStyle mono_table[] = {
#define THEME_MONO(name, str, fg, bg, attrs, mono) {-1, -1, mono},
    THEME_ROLES(THEME_MONO)
#undef THEME_MONO
};

const char *
theme_role_name(Role r)
{
	if ((int)r < 0 || r >= ROLE__COUNT)
		return NULL;
	return role_names[r];
}

void
theme_builtin(Theme *t, bool mono)
{
	memset(t, 0, sizeof(*t));
	str_copy(t->name, sizeof(t->name), mono ? "mono" : "dark");
	t->mono = mono;
	memcpy(t->roles, mono ? mono_table : dark_table, sizeof(t->roles));
}

static const char *const colour_names[] = {
    "black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"};

/* -2 = not a colour */
static int
parse_colour(const char *w)
{
	if (strcmp(w, "default") == 0)
		return -1;
	if (isdigit((unsigned char)w[0])) {
		char *end;
		long v = strtol(w, &end, 10);
		if (*end == '\0' && v >= 0 && v <= 255)
			return (int)v;
		return -2;
	}
	bool bright = str_starts(w, "bright-");
	const char *base = bright ? w + 7 : w;
	for (int i = 0; i < 8; i++)
		if (strcmp(base, colour_names[i]) == 0)
			return bright ? i + 8 : i;
	return -2;
}

static int
parse_attr(const char *w, unsigned *out)
{
	static const struct {
		const char *name;
		unsigned bit;
	} attrs[] = {{"bold", TA_BOLD}, {"dim", TA_DIM},
	    {"underline", TA_UNDERLINE}, {"reverse", TA_REVERSE},
	    {"standout", TA_STANDOUT}, {"normal", 0}};

	for (size_t i = 0; i < ARRAY_LEN(attrs); i++)
		if (strcmp(w, attrs[i].name) == 0) {
			*out = attrs[i].bit;
			return 0;
		}
	return -1;
}

/* One line, already without its comment; returns 0 or -1 with errs. */
static int
parse_line(Theme *t, char *line, const char *fname, int lineno, ErrList *errs)
{
	char *eq = strchr(line, '=');
	char *words[16];
	int nwords = 0;
	RoleStyle st = {-1, -1, 0};
	int role = -1;
	bool have_fg = false;

	if (eq == NULL) {
		errlist_add(
		    errs, "%s:%d: expected \"role = colours\"", fname, lineno);
		return -1;
	}
	*eq = '\0';
	char *name = strtok(line, " \t\r");
	if (name == NULL || strtok(NULL, " \t\r") != NULL) {
		errlist_add(errs, "%s:%d: expected one role name before '='",
		    fname, lineno);
		return -1;
	}
	for (int i = 0; i < ROLE__COUNT; i++)
		if (strcmp(name, role_names[i]) == 0)
			role = i;
	if (role < 0) {
		errlist_add(
		    errs, "%s:%d: unknown role \"%s\"", fname, lineno, name);
		return -1;
	}
	for (char *w = strtok(eq + 1, " \t\r"); w; w = strtok(NULL, " \t\r")) {
		if (nwords == (int)ARRAY_LEN(words)) {
			errlist_add(
			    errs, "%s:%d: too many words", fname, lineno);
			return -1;
		}
		words[nwords++] = w;
	}
	if (nwords == 0) {
		errlist_add(errs, "%s:%d: %s: no colour or attribute", fname,
		    lineno, name);
		return -1;
	}
	for (int i = 0; i < nwords; i++) {
		unsigned bit;
		int c;
		if (strcmp(words[i], "on") == 0) {
			if (i + 1 >= nwords ||
			    (c = parse_colour(words[i + 1])) == -2) {
				errlist_add(errs,
				    "%s:%d: %s: \"on\" needs a background "
				    "colour",
				    fname, lineno, name);
				return -1;
			}
			st.bg = (short)c;
			i++;
		} else if (parse_attr(words[i], &bit) == 0) {
			st.attrs |= bit;
		} else if (!have_fg && (c = parse_colour(words[i])) != -2) {
			st.fg = (short)c;
			have_fg = true;
		} else {
			errlist_add(errs,
			    "%s:%d: %s: \"%s\" is not a colour or attribute",
			    fname, lineno, name, words[i]);
			return -1;
		}
	}
	t->roles[role] = st;
	return 0;
}

int
theme_parse(
    Theme *t, const char *text, size_t len, const char *fname, ErrList *errs)
{
	int rc = 0, lineno = 0;
	size_t i = 0;

	while (i < len) {
		size_t j = i;
		char line[512];
		while (j < len && text[j] != '\n')
			j++;
		lineno++;
		if (j - i >= sizeof(line)) {
			errlist_add(
			    errs, "%s:%d: line too long", fname, lineno);
			rc = -1;
		} else {
			memcpy(line, text + i, j - i);
			line[j - i] = '\0';
			if (memchr(text + i, '\0', j - i) != NULL) {
				errlist_add(
				    errs, "%s:%d: NUL byte", fname, lineno);
				rc = -1;
			} else {
				char *hash = strchr(line, '#');
				if (hash)
					*hash = '\0';
				char *p = line;
				while (*p == ' ' || *p == '\t' || *p == '\r')
					p++;
				if (*p != '\0' &&
				    parse_line(t, p, fname, lineno, errs) != 0)
					rc = -1;
			}
		}
		i = j + 1;
	}
	return rc;
}

static char *
read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0, cap = 0;

	if (f == NULL)
		return NULL;
	for (;;) {
		if (n + 4096 > cap) {
			cap = cap ? cap * 2 : 8192;
			if (cap > (1u << 20)) {
				free(buf);
				fclose(f);
				errno = EFBIG;
				return NULL;
			}
			buf = xrealloc(buf, cap, 1);
		}
		size_t r = fread(buf + n, 1, cap - n, f);
		n += r;
		if (r == 0)
			break;
	}
	fclose(f);
	*len = n;
	return buf;
}

/* Candidate directories for theme files, in order. */
static int
theme_dirs(char dirs[][4096], int max)
{
	int n = 0;
	const char *env = getenv("DRTOP_THEMES");
	char exe[4096];
	ssize_t r;

	if (env && *env && n < max)
		snprintf(dirs[n++], 4096, "%s", env);
	r = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (r > 0) {
		exe[r] = '\0';
		char *slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			if (n < max)
				snprintf(
				    dirs[n++], 4096, "%.4000s/themes", exe);
			if (n < max)
				snprintf(dirs[n++], 4096,
				    "%.4000s/../share/drtop/themes", exe);
			if (n < max)
				snprintf(
				    dirs[n++], 4096, "%.4000s/../themes", exe);
		}
	}
	if (n < max)
		snprintf(dirs[n++], 4096, "/usr/local/share/drtop/themes");
	if (n < max)
		snprintf(dirs[n++], 4096, "themes");
	return n;
}

int
theme_load(Theme *t, const char *name, ErrList *errs)
{
	char dirs[6][4096];
	char path[4200];
	char *text = NULL;
	size_t len = 0;
	int rc;

	theme_builtin(t, false);
	if (strchr(name, '/') != NULL) {
		str_copy(path, sizeof(path), name);
		text = read_file(path, &len);
		if (text == NULL) {
			errlist_add(errs, "%s: %s", path, strerror(errno));
			return -1;
		}
	} else {
		int n = theme_dirs(dirs, (int)ARRAY_LEN(dirs));
		for (int i = 0; i < n && text == NULL; i++) {
			snprintf(path, sizeof(path), "%.4000s/%.190s", dirs[i],
			    name);
			text = read_file(path, &len);
		}
		if (text == NULL) {
			if (strcmp(name, "dark") == 0 ||
			    strcmp(name, "mono") == 0) {
				theme_builtin(t, strcmp(name, "mono") == 0);
				return 0;
			}
			errlist_add(errs,
			    "theme \"%s\": not found (themes: dark, light, "
			    "high-contrast, mono, or a path)",
			    name);
			return -1;
		}
	}
	const char *base = strrchr(name, '/') ? strrchr(name, '/') + 1 : name;
	str_copy(t->name, sizeof(t->name), base);
	rc = theme_parse(t, text, len, path, errs);
	free(text);
	t->mono = true;
	for (int i = 0; i < ROLE__COUNT; i++)
		if (t->roles[i].fg != -1 || t->roles[i].bg != -1)
			t->mono = false;
	return rc;
}

static attr_t
curses_attrs(unsigned a)
{
	attr_t r = A_NORMAL;

	if (a & TA_BOLD)
		r |= A_BOLD;
	if (a & TA_DIM)
		r |= A_DIM;
	if (a & TA_UNDERLINE)
		r |= A_UNDERLINE;
	if (a & TA_REVERSE)
		r |= A_REVERSE;
	if (a & TA_STANDOUT)
		r |= A_STANDOUT;
	return r;
}

void
theme_apply(Theme *t, bool color)
{
	bool use = color && !t->mono;

	for (int i = 0; i < ROLE__COUNT; i++) {
		const RoleStyle *st = &t->roles[i];

		t->attr[i] = curses_attrs(st->attrs);
		if (use && i + 1 < COLOR_PAIRS) {
			ColourFit f =
			    colourfit(st->fg, st->bg, st->attrs, COLORS);

			init_pair((short)(i + 1), f.fg, f.bg);
			t->attr[i] = curses_attrs(f.attrs) | COLOR_PAIR(i + 1);
		}
	}
}

attr_t
theme_attr(const Theme *t, Role r)
{
	if (t == NULL || (int)r < 0 || r >= ROLE__COUNT)
		return A_NORMAL;
	return t->attr[r];
}
