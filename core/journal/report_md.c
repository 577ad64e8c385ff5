#include "journal/report_md.h"

static void
md_esc(FILE *f, const char *s)
{
	report_fmt_esc(f, s, REPORT_ESC_MD);
}

static void
md_header(const Report *r, const ReportTable *t, FILE *f)
{
	fputs("# Drill report: ", f);
	md_esc(f, t->drill);
	fputs("\n\n- **Service:** ", f);
	md_esc(f, t->service);
	fputs("\n- **Started:** ", f);
	md_esc(f, t->started);
	fputs(" (t = 0)\n", f);
	fprintf(f, "- **RTO:** %s s against a target of %s s: **%s**\n",
	    t->rto_s, t->rto_target, t->rto_word);
	if (r->fault_endpoint[0]) {
		fputs("- **Traffic at the fault:** ", f);
		md_esc(f, r->fault_endpoint);
		fputs(
		    r->new_endpoint[0] ? ", failed over to " : ", no failover",
		    f);
		md_esc(f, r->new_endpoint);
		fputc('\n', f);
	}
	if (r->log_path[0]) {
		fputs("- **Log:** ", f);
		md_esc(f, r->log_path);
		fprintf(f, " (%lu events)\n", r->nevents);
	}
	if (r->log_warning[0]) {
		fputs("- **Warning:** ", f);
		md_esc(f, r->log_warning);
		fputc('\n', f);
	}
}

/* " text |": drtop's words as they are, the log's text escaped. */
static void
md_cell(FILE *f, const ReportCell *c)
{
	if (c->text != NULL) {
		fputc(' ', f);
		fwrite(c->text, 1, c->fixed, f);
		md_esc(f, c->text + c->fixed);
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
report_md_write(const Report *r, const ReportTable *t, FILE *f)
{
	md_header(r, t, f);
	for (int i = 0; i < t->nsections; i++)
		md_section(&t->sections[i], f);
}
