/* check_scripts.c: runs each tests/t_*.sh (end-to-end tests of the built tlswhy on real
 * captures) as one Check test, so a single runner reports everything. A script passes when it
 * exits 0; its output is shown when it does not. */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "test_util.h"

#define MAX_SCRIPTS 64
struct script_list {
    size_t n;
    char name[MAX_SCRIPTS][128];
};

static int by_name(const void *a, const void *b)
{
    return strcmp(a, b);
}

/* The scripts, sorted, found once when the suite is built (Check forks per test). */
static struct script_list scripts;

static void find_scripts(void)
{
    DIR *d = opendir(tw_test_src("tests"));
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && scripts.n < MAX_SCRIPTS) {
        size_t len = strlen(e->d_name);
        if (strncmp(e->d_name, "t_", 2) == 0 && len > 3 && len < 128 &&
            strcmp(e->d_name + len - 3, ".sh") == 0)
            snprintf(scripts.name[scripts.n++], sizeof scripts.name[0], "%.127s", e->d_name);
    }
    closedir(d);
    qsort(scripts.name, scripts.n, sizeof scripts.name[0], by_name);
}

static const char *tlswhy_binary(void)
{
    const char *env = getenv("TLSWHY");
    static char buf[4096];
    if (env && *env)
        return env;
    snprintf(buf, sizeof buf, "%s/tlswhy", TW_BINARY_DIR);
    return buf;
}

START_TEST(script_passes) /* _i = index into scripts */
{
    const char *name = scripts.name[_i];
    const char *log = tw_test_tmp(".log");
    char cmd[8192];
    snprintf(cmd, sizeof cmd,
             "cd '%s' && TLSWHY='%s' TW_SOURCE_DIR='%s' bash 'tests/%s' >'%s' 2>&1", TW_SOURCE_DIR,
             tlswhy_binary(), TW_SOURCE_DIR, name, log);
    int st = system(cmd);
    int code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    if (code != 0) {
        size_t len;
        uint8_t *out = tw_test_read_file(log, &len);
        fprintf(stderr, "---- %s (exit %d) ----\n%.*s\n", name, code, (int)len, (char *)out);
        free(out);
    }
    remove(log);
    ck_assert_msg(code == 0, "%s exited with %d", name, code);
}
END_TEST

START_TEST(scripts_exist)
{
    ck_assert_msg(scripts.n > 0, "no tests/t_*.sh found");
}
END_TEST

Suite *tw_scripts_suite(void)
{
    Suite *s = suite_create("end-to-end scripts");
    TCase *tc = tcase_create("scripts");
    find_scripts();
    tcase_add_test(tc, scripts_exist);
    tcase_add_loop_test(tc, script_passes, 0, (int)scripts.n);
    suite_add_tcase(s, tc);
    return s;
}
