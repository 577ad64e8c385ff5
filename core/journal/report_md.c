#include "journal/report_md.h"

static void
md_esc(FILE *f, const char *s)
{
	report_fmt_esc(f, s, REPORT_ESC_MD);
}

/* drtop's words as they are, the log's text escaped. */
static void
md_text(FILE *f, const ReportCell *c)
{
	fwrite(c->text, 1, c->fixed, f);
	md_esc(f, c->text + c->fixed);
}

/* "- **Label:** text **verdict**" */
static void
md_line(const ReportLine *l, FILE *f)
{
	fprintf(f, "- **%s:** ", l->label);
	for (int i = 0; i < l->nsegs; i++)
		md_text(f, &l->segs[i]);
	if (l->verdict != NULL)
		fprintf(f, "**%s**", l->verdict);
	fputc('\n', f);
}

static void
md_header(const ReportTable *t, FILE *f)
{
	fputs("# Drill report: ", f);
	report_fmt_esc(f, t->drill, REPORT_ESC_MD_HEADING);
	fputs("\n\n", f);
	for (int i = 0; i < t->nlines; i++)
		md_line(&t->lines[i], f);
}

/* " text |": drtop's words as they are, the log's text escaped. */
static void
md_cell(FILE *f, const ReportCell *c)
{
	if (c->text != NULL) {
		fputc(' ', f);
		md_text(f, c);
	}
	fputs(" |", f);
}

static void
md_section(const ReportSection *s, FILE *f)
{
	fprintf(f, "\n## %s\n\n", s->title);
	if (s->nsets > 0) {
		/* The settings as the operator typed them, in code spans. */
		fputs("What-if settings:", f);
		for (int i = 0; i < s->nsets; i++)
			fprintf(f, " `%s`", s->sets[i]);
		fputs("\n\n", f);
	}
	if (s->nrows == 0 && s->none_if_empty) {
		fputs("None.\n", f);
		return;
	}
	fputc('|', f);
	for (int i = 0; i < s->ncols; i++)
		fprintf(f, " %s |", s->cols[i].head);
	fputs("\n|", f);
	for (int i = 0; i < s->ncols; i++)
		fputs(s->cols[i].align == REPORT_ALIGN_RIGHT ? "---:|" : "---|",
		    f);
	fputc('\n', f);
	for (size_t row = 0; row < s->nrows; row++) {
		fputc('|', f);
		for (int i = 0; i < s->ncols; i++)
			md_cell(f, report_table_cell(s, row, i));
		fputc('\n', f);
	}
}

void
report_md_write(const ReportTable *t, FILE *f)
{
	md_header(t, f);
	for (int i = 0; i < t->nsections; i++)
		md_section(&t->sections[i], f);
}
