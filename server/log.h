// One line per event on stderr, with a UTC timestamp.
#ifndef GANSERVE_SERVER_LOG_H_
#define GANSERVE_SERVER_LOG_H_

#include <string>

namespace ganserve {

void LogEvent(const std::string& line);

}  // namespace ganserve

#endif  // GANSERVE_SERVER_LOG_H_
