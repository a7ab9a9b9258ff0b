#include "format/file_util.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace lithe {

Status WriteFileAtomic(const std::string& path, const uint8_t* data, size_t size) {
  std::string tmp = path + ".tmp-XXXXXX";
  const int fd = mkstemp(tmp.data());
  if (fd < 0) return Status::Error("cannot create a file next to " + path + ": " + std::strerror(errno));
  auto fail = [&](const char* what) {
    const std::string reason = std::strerror(errno);
    close(fd);
    unlink(tmp.c_str());
    return Status::Error(std::string(what) + " " + path + ": " + reason);
  };
  size_t done = 0;
  while (done < size) {
    const ssize_t n = write(fd, data + done, size - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail("cannot write");
    }
    done += static_cast<size_t>(n);
  }
  if (fchmod(fd, 0644) != 0 || fsync(fd) != 0) return fail("cannot write");
  if (close(fd) != 0) {
    unlink(tmp.c_str());
    return Status::Error("cannot write " + path + ": " + std::strerror(errno));
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string reason = std::strerror(errno);
    unlink(tmp.c_str());
    return Status::Error("cannot write " + path + ": " + reason);
  }
  return Status::Ok();
}

}  // namespace lithe
