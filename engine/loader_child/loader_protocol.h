// What ganserve-load's exit status means, shared by the child and the
// parent that tells the user. The answer itself is the wire form on stdout
// (engine/wire); a refusal is the last line on stderr.
#ifndef GANSERVE_ENGINE_LOADER_CHILD_LOADER_PROTOCOL_H_
#define GANSERVE_ENGINE_LOADER_CHILD_LOADER_PROTOCOL_H_

namespace ganserve {

inline constexpr int kLoaderExitAnswered = 0;
inline constexpr int kLoaderExitRefused = 1;  // the file; the reason is on stderr
inline constexpr int kLoaderExitUsage = 2;
inline constexpr int kLoaderExitMemoryLimit = 3;  // an allocation failed under the limit
// The seccomp filter stopped a system call; stderr's last line is
// kForbiddenSyscallLine and the call's number.
inline constexpr int kLoaderExitForbiddenSyscall = 4;
inline constexpr char kForbiddenSyscallLine[] = "forbidden system call ";

}  // namespace ganserve

#endif  // GANSERVE_ENGINE_LOADER_CHILD_LOADER_PROTOCOL_H_
