/* main.c: argv -> options; placeholder until run.c lands. */
#include <stdio.h>
int main(void)
{
    puts("tlswhy " TLSWHY_VERSION);
    return 0;
}
