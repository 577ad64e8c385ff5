#include "keysman.h"

#include <stdbool.h>
#include <string.h>

#include "keys.h"

/* s for roff: a backslash as \e, a minus as \- (keys), a leading dot or
 * quote kept from being a request. */
static void
roff_text(FILE *f, const char *s, bool key)
{
	if (s[0] == '.' || s[0] == '\'')
		fputs("\\&", f);
	for (; *s != '\0'; s++) {
		if (*s == '\\')
			fputs("\\e", f);
		else if (*s == '-' && key)
			fputs("\\-", f);
		else
			fputc(*s, f);
	}
}

int
keys_man(FILE *f)
{
	for (int c = 0; c < KCTX__COUNT; c++) {
		size_t n;
		const KeyBinding *t = keys_table((KeyContext)c, &n);

		/* a replay's console keys are the console's, less the ones
		 * that act: the Console section lists them */
		if (c == KCTX_VIEW)
			continue;
		fputs(".SS ", f);
		roff_text(f, keys_context_title((KeyContext)c), false);
		fputc('\n', f);
		for (size_t i = 0; i < n; i++) {
			bool first = true;

			if (t[i].help == NULL)
				continue;
			fputs(".TP\n", f);
			/* every named key with this action, in table order */
			for (size_t j = 0; j < n; j++) {
				if (t[j].action != t[i].action ||
				    t[j].name == NULL)
					continue;
				fputs(first ? "\\fB" : ", \\fB", f);
				roff_text(f, t[j].name, true);
				fputs("\\fR", f);
				first = false;
			}
			fputc('\n', f);
			roff_text(f, t[i].help, false);
			fputc('\n', f);
		}
	}
	return ferror(f) ? -1 : 0;
}
