// The playground page served at / (server/playground/playground.html, compiled
// in by CMake): plain HTML and JavaScript over the HTTP API, no build step.
#ifndef GANSERVE_SERVER_PLAYGROUND_PAGE_H_
#define GANSERVE_SERVER_PLAYGROUND_PAGE_H_

namespace ganserve {

const char* PlaygroundPage();

}  // namespace ganserve

#endif  // GANSERVE_SERVER_PLAYGROUND_PAGE_H_
