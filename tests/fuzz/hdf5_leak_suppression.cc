// Sanitizer hooks for binaries that feed corrupt files to libhdf5.
// libhdf5 1.10.8 (Debian 12) leaks cached object-header chunks when H5Fopen
// fails half-way on a corrupt file (H5F_open -> H5G_mkroot -> H5O_protect):
// 56-168 bytes per refused file, inside the library, after our handles are
// closed. keras_fuzz found it; reproducers are tests/fuzz/corpus/keras/leak-*.
// libhdf5 has no frame pointers, so the suppression only matches stacks
// unwound the slow way. Without sanitizers these hooks are never called.

extern "C" const char* __lsan_default_suppressions() { return "leak:H5F_open\n"; }

extern "C" const char* __asan_default_options() { return "fast_unwind_on_malloc=0"; }
