// Sanitizer hooks for binaries that feed corrupt files to libhdf5.
// libhdf5 1.10.8 (Debian 12) loses memory on its own error paths, after our
// handles are closed and where no pointer ever reaches us:
// * H5F_open, H5O_protect: object-header cache entries when loading a
//   corrupt header fails half-way (H5Fopen -> H5G_mkroot -> H5O_protect, and
//   H5Dopen2 -> H5O_obj_type -> H5O_protect), 56-424 bytes per refused file.
// * H5A__read: the strings already converted when converting a
//   variable-length string attribute fails on a later element; H5A__read
//   frees its conversion buffer without them (our output array stays all
//   null, checked on tests/fuzz/corpus/keras/leak-vlen-attr-partial-read).
//   This also hides a missing H5Dvlen_reclaim after a successful read, so
//   ReadStrings in keras_hdf5.cc must keep reclaiming.
// An unclosed handle of ours would not show up here at all (libhdf5's ID
// table keeps it reachable); what LSan reports is memory nobody can free.
// keras_fuzz found each; reproducers are tests/fuzz/corpus/keras/leak-*.
// libhdf5 has no frame pointers, so the suppressions only match stacks
// unwound the slow way. Without sanitizers these hooks are never called.

extern "C" const char* __lsan_default_suppressions() {
  return "leak:H5F_open\nleak:H5O_protect\nleak:H5A__read\n";
}

extern "C" const char* __asan_default_options() { return "fast_unwind_on_malloc=0"; }
