/* LD_PRELOAD shim for tests: caps Kodi's render loop. Under Xvfb there is no vsync, so Kodi redraws as fast as
 * the CPU allows (~130 % of a core while playing). Sleeping in the buffer swap caps it at KODI_SHIM_FPS (25). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <time.h>

static void throttle(void) {
  static struct timespec last;
  static long frame_ns = 0;
  if (frame_ns == 0) {
    const char *env = getenv("KODI_SHIM_FPS");
    long fps = env ? atol(env) : 25;
    if (fps <= 0) fps = 25;
    frame_ns = 1000000000L / fps;
  }
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  long elapsed = (now.tv_sec - last.tv_sec) * 1000000000L + (now.tv_nsec - last.tv_nsec);
  if (elapsed >= 0 && elapsed < frame_ns) {
    struct timespec pause = {0, frame_ns - elapsed};
    nanosleep(&pause, NULL);
  }
  clock_gettime(CLOCK_MONOTONIC, &last);
}

void glXSwapBuffers(void *dpy, unsigned long drawable) {
  static void (*real)(void *, unsigned long) = NULL;
  if (!real) real = (void (*)(void *, unsigned long))dlsym(RTLD_NEXT, "glXSwapBuffers");
  throttle();
  if (real) real(dpy, drawable);
}

unsigned int eglSwapBuffers(void *dpy, void *surface) {
  static unsigned int (*real)(void *, void *) = NULL;
  if (!real) real = (unsigned int (*)(void *, void *))dlsym(RTLD_NEXT, "eglSwapBuffers");
  throttle();
  return real ? real(dpy, surface) : 0;
}
