#include "support/kill_probe.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>

namespace lake::testing {

bool RunProbeAndKill(const std::string& probe, const std::string& dir, int lines,
                     const std::function<void(const std::string& line)>& take) {
  int pipe_fds[2];
  if (pipe(pipe_fds) != 0) return false;
  const pid_t child = fork();
  if (child == 0) {
    dup2(pipe_fds[1], STDOUT_FILENO);
    close(pipe_fds[0]);
    execl(probe.c_str(), probe.c_str(), dir.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  close(pipe_fds[1]);
  FILE* out = fdopen(pipe_fds[0], "r");
  char line[4096];
  for (int read = 0; read < lines && std::fgets(line, sizeof(line), out) != nullptr; ++read)
    take(line);
  kill(child, SIGKILL);
  int status = 0;
  waitpid(child, &status, 0);
  while (std::fgets(line, sizeof(line), out) != nullptr)
    take(line);
  fclose(out);
  return WIFSIGNALED(status);
}

}  // namespace lake::testing
