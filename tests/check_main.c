/* check_main.c: runs one suite (TW_SUITE, the per-module executables) or all of them. */
#include <check.h>
#include <stdlib.h>

#ifdef TW_SUITE
Suite *TW_SUITE(void);
#else
#define TW_SUITE_ENTRY(fn) Suite *fn(void);
#include "suites.def"
#undef TW_SUITE_ENTRY
#endif

int main(void)
{
    /* End-to-end tests read every peer capture; Check's default of 4 s per test is too short,
     * under the sanitizers above all. CK_DEFAULT_TIMEOUT from the environment still wins. */
    setenv("CK_DEFAULT_TIMEOUT", "600", 0);
#ifdef TW_SUITE
    SRunner *sr = srunner_create(TW_SUITE());
#else
    SRunner *sr = srunner_create(NULL);
#define TW_SUITE_ENTRY(fn) srunner_add_suite(sr, fn());
#include "suites.def"
#undef TW_SUITE_ENTRY
#endif
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
