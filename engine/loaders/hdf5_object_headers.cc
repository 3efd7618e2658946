#include "engine/loaders/hdf5_object_headers.h"

#include <cstdint>
#include <cstring>
#include <map>
#include <set>
#include <unordered_set>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"

namespace ganserve {
namespace {

constexpr uint16_t kLinkMessage = 0x06;
constexpr uint16_t kAttributeMessage = 0x0c;
constexpr uint16_t kContinuationMessage = 0x10;
constexpr uint16_t kDatatypeMessage = 0x03;
constexpr int kVariableLengthClass = 9;

// Compound and enum datatypes carry member names that libhdf5 1.10 copies
// with strdup, unbounded; an array or vlen may hold either. Keras writes
// none of them (weights are floats, attributes strings or numbers).
absl::Status CheckDatatypeClass(int type_class, int base_class) {
  const bool named_members = type_class == 6 || type_class == 8 || type_class == 10 ||
                             (type_class == kVariableLengthClass &&
                              (base_class == 6 || base_class == 8 || base_class == 10 ||
                               base_class == kVariableLengthClass));
  if (!named_members) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat("HDF5 datatype of class ", type_class,
                                                 " (compound, enum, array or nested "
                                                 "variable-length; Keras never writes one)"));
}

absl::Status Corrupt(const std::string& what) {
  return absl::DataLossError(absl::StrCat("corrupt or truncated HDF5 data: ", what));
}

// A run of header messages: the first chunk of an object header or a
// continuation chunk, in the format of its header's version.
struct Chunk {
  uint64_t begin, end;
  int version;
  bool creation_order;  // version 2: each message carries a 2-byte index
};

class HeaderWalker {
 public:
  explicit HeaderWalker(const std::string& image) : image_(image) {}

  absl::Status Run() {
    // The smallest file h5py writes is far larger; this keeps every
    // superblock field below in range.
    if (!Fits(0, 96)) return Corrupt("the file is too short for a superblock and a root group");
    const int version = Byte(8);
    const bool old_superblock = version <= 1;
    const uint64_t fields = old_superblock ? 13 : 9;  // sizes of offsets and lengths
    if (Byte(fields) != 8 || Byte(fields + 1) != 8) {
      return absl::InvalidArgumentError(
          "HDF5 superblock without 8-byte addresses and lengths (h5py always writes 8)");
    }
    const uint64_t base = old_superblock ? 24 : 12;
    if (Get(base, 8) != 0) {
      return absl::InvalidArgumentError("HDF5 files with a user block are not supported");
    }
    if (old_superblock) {
      AddHeader(Get(version == 0 ? 64 : 68, 8));  // the root group's symbol table entry
    } else {
      AddHeader(Get(20, 8));  // superblock extension
      AddHeader(Get(36, 8));  // root group
    }
    // Every group entry, wherever its B-tree is; a chance match inside data
    // only adds addresses that are then parsed as headers, never trusted.
    for (size_t at = image_.find("SNOD"); at != std::string::npos;
         at = image_.find("SNOD", at + 1)) {
      if (!Fits(at, 8) || Byte(at + 4) != 1) continue;
      const uint64_t entries = Get(at + 6, 2);
      for (uint64_t i = 0, e = at + 8; i < entries && Fits(e, 40); ++i, e += 40) {
        AddHeader(Get(e + 8, 8));
      }
    }
    for (size_t at = image_.find("OHDR"); at != std::string::npos;
         at = image_.find("OHDR", at + 1)) {
      AddHeader(at);
    }
    while (!headers_.empty() || !chunks_.empty()) {
      if (!chunks_.empty()) {
        const Chunk chunk = chunks_.back();
        chunks_.pop_back();
        // Chunks of a sound file are disjoint; overlapping ones could make
        // this walk quadratic.
        walked_ += chunk.end - chunk.begin;
        if (walked_ > image_.size()) return Corrupt("object header chunks overlap");
        if (absl::Status s = VisitMessages(chunk); !s.ok()) return s;
        continue;
      }
      const uint64_t addr = headers_.back();
      headers_.pop_back();
      if (absl::Status s = VisitHeader(addr); !s.ok()) return s;
    }
    return absl::OkStatus();
  }

 private:
  int Byte(uint64_t at) const { return static_cast<unsigned char>(image_[at]); }
  // Little-endian; the caller has checked Fits(at, bytes).
  uint64_t Get(uint64_t at, int bytes) const {
    uint64_t v = 0;
    for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | Byte(at + i);
    return v;
  }
  bool Fits(uint64_t at, uint64_t n) const {
    return at <= image_.size() && n <= image_.size() - at;
  }

  // Headers and chunks are remembered apart: an address first met as a
  // would-be header (a chance "OHDR" or group entry) may still be where a
  // continuation puts a chunk of messages, and must then be read as one.
  void AddHeader(uint64_t addr) {
    if (Fits(addr, 16) && seen_headers_.insert(addr).second) headers_.push_back(addr);
  }

  void AddChunk(uint64_t begin, uint64_t end, int version, bool creation_order) {
    // By both ends: two continuations may name one address with different lengths.
    if (seen_chunks_.insert({begin, end}).second) {
      chunks_.push_back({begin, end, version, creation_order});
    }
  }

  // Anything that is not a version-1 or -2 header prefix is left to HDF5,
  // which refuses it without allocating from it.
  absl::Status VisitHeader(uint64_t addr) {
    uint64_t begin, size;
    int version;
    bool creation_order = false;
    if (Byte(addr) == 1) {  // version 1: no signature, 16-byte prefix
      version = 1;
      size = Get(addr + 8, 4);
      begin = addr + 16;
    } else if (image_.compare(addr, 4, "OHDR") == 0 && Byte(addr + 4) == 2) {
      version = 2;
      const int flags = Byte(addr + 5);
      creation_order = flags & 0x04;
      begin = addr + 6 + ((flags & 0x20) ? 16 : 0) + ((flags & 0x10) ? 4 : 0);
      const int width = 1 << (flags & 0x03);
      if (!Fits(begin, width)) return Corrupt("an object header is cut short");
      size = Get(begin, width);
      begin += width;
    } else {
      return absl::OkStatus();
    }
    if (!Fits(begin, size)) return Corrupt("an object header chunk lies outside the file");
    AddChunk(begin, begin + size, version, creation_order);
    return absl::OkStatus();
  }

  absl::Status VisitMessages(const Chunk& chunk) {
    const uint64_t header = chunk.version == 1 ? 8 : (chunk.creation_order ? 6 : 4);
    uint64_t p = chunk.begin;
    while (header <= chunk.end - p) {
      const uint16_t type = chunk.version == 1 ? Get(p, 2) : Get(p, 1);
      const uint64_t size = Get(p + (chunk.version == 1 ? 2 : 1), 2);
      const int flags = Byte(p + (chunk.version == 1 ? 4 : 3));
      const uint64_t data = p + header;
      if (size > chunk.end - data) return Corrupt("an object header message overruns its chunk");
      // A shared message is read from wherever it points, past these checks.
      if (flags & 0x02) {
        return absl::InvalidArgumentError(
            "HDF5 object header with a shared message (h5py and Keras never write one)");
      }
      // libhdf5 1.10's message decoders read the fields they expect whatever
      // the declared size, so a short message is read past its end.
      if (type == kContinuationMessage) {
        if (size < 16) return Corrupt("an object header continuation message is too short");
        const uint64_t offset = Get(data, 8), length = Get(data + 8, 8);
        if (!Fits(offset, length)) {
          return Corrupt(absl::StrCat("an object header continuation (", length, " bytes at ",
                                      offset, ") lies outside the file"));
        }
        if (chunk.version == 1) {
          AddChunk(offset, offset + length, 1, false);
        } else if (length >= 8 && image_.compare(offset, 4, "OCHK") == 0) {
          AddChunk(offset + 4, offset + length - 4, 2, chunk.creation_order);
        }
      } else if (type == kDatatypeMessage) {
        if (absl::Status s = CheckDatatype(data, size); !s.ok()) return s;
      } else if (type == kLinkMessage) {
        VisitLink(data, size);
      } else if (type == kAttributeMessage) {
        if (absl::Status s = VisitAttribute(data, size); !s.ok()) return s;
      }
      p = data + size;
    }
    return absl::OkStatus();
  }

  // A datatype of `size` bytes at `at` (8-byte header, then properties; a
  // variable-length type's base type comes first among them).
  absl::Status CheckDatatype(uint64_t at, uint64_t size) const {
    if (size < 8) return Corrupt("a datatype is too short");
    const int type_class = Byte(at) & 0x0f;
    const int base_class =
        type_class == kVariableLengthClass && size >= 16 ? Byte(at + 8) & 0x0f : -1;
    return CheckDatatypeClass(type_class, base_class);
  }

  // A link message (version 1): flags, optional type, creation order and
  // charset, the name, then for a hard link the target header's address.
  // Bounded by the file, not the message: libhdf5 reads it that way.
  void VisitLink(uint64_t p, uint64_t /*size*/) {
    const uint64_t end = image_.size();
    if (!Fits(p, 2) || Byte(p) != 1) return;
    const int flags = Byte(p + 1);
    p += 2;
    int link_type = 0;
    if (flags & 0x08) link_type = p < end ? Byte(p++) : -1;
    if (flags & 0x04) p += 8;
    if (flags & 0x10) p += 1;
    const uint64_t width = uint64_t{1} << (flags & 0x03);
    if (link_type != 0 || p > end || width > end - p) return;
    const uint64_t name = Get(p, width);
    p += width;
    if (name > end - p || 8 > end - p - name) return;
    AddHeader(Get(p + name, 8));
  }

  // libhdf5 1.10 reads a variable-length string through its heap ID (length,
  // collection address, object index) and only asserts that the index names
  // an object, then copies the object's whole size into a buffer of the
  // stated length: a bad index reads wild memory, a short length overflows.
  // Each string of a vlen-string attribute must name an object of the
  // collection no longer than its length.
  absl::Status VisitAttribute(uint64_t p, uint64_t size) {
    const uint64_t end = p + size;
    if (size < 8) return Corrupt("an attribute message is too short");
    const int version = Byte(p);
    if (version < 1 || version > 3) return absl::OkStatus();  // HDF5 refuses it
    if (version >= 2 && (Byte(p + 1) & 0x03) != 0) {
      return absl::InvalidArgumentError(
          "HDF5 attribute with a shared datatype or dataspace (Keras never writes one)");
    }
    const uint64_t name = Get(p + 2, 2), type = Get(p + 4, 2), space = Get(p + 6, 2);
    auto padded = [&](uint64_t n) { return version == 1 ? (n + 7) / 8 * 8 : n; };
    p += version == 3 ? 9 : 8;
    const uint64_t type_at = p + padded(name), space_at = type_at + padded(type);
    const uint64_t data = space_at + padded(space);
    if (data > end || type < 8 || space < 4) {
      return Corrupt("an attribute's name, datatype or dataspace overruns its message");
    }
    // libhdf5 copies the name with strdup, whatever its stated length.
    if (name == 0 || std::memchr(image_.data() + p, 0, name) == nullptr) {
      return Corrupt("an attribute's name does not end within its message");
    }
    if (absl::Status s = CheckDatatype(type_at, type); !s.ok()) return s;
    // Dataspace: version, rank, flags, then (after 5 reserved bytes in
    // version 1, or a type byte in version 2) the dimensions.
    const int rank = Byte(space_at + 1);
    const uint64_t dims = space_at + (Byte(space_at) == 1 ? 8 : 4);
    if (Byte(space_at) == 2 && Byte(space_at + 3) == 2) return absl::OkStatus();  // null
    if (rank > 32 || dims - space_at + uint64_t(rank) * 8 > space) return absl::OkStatus();
    uint64_t count = 1;  // saturates just past the file's size
    for (int i = 0; i < rank; ++i) {
      const uint64_t d = Get(dims + 8 * i, 8);
      count = d != 0 && count > image_.size() / d ? image_.size() + 1 : count * d;
    }
    // libhdf5 copies count x the element size out of the message, unchecked.
    const uint64_t element = Get(type_at + 4, 4);
    if (element != 0 && count > (end - data) / element) {
      return Corrupt("an attribute's data overruns its message");
    }
    if ((Byte(type_at) & 0x0f) != kVariableLengthClass) return absl::OkStatus();
    // libhdf5 copies the attribute's data with the declared element size,
    // then reads it with a vlen's real one (length, address, index).
    constexpr uint64_t kHeapId = 16;
    if (element != kHeapId) {
      return Corrupt("a variable-length attribute's datatype does not have 16-byte elements");
    }
    if ((Byte(type_at + 1) & 0x0f) != 1) return absl::OkStatus();  // not a string
    // libhdf5 sizes its conversion buffer as length x the base type's size;
    // a string's characters are bytes.
    if (type < 16 || Get(type_at + 12, 4) != 1) {
      return Corrupt("a variable-length string's characters are not 1 byte");
    }
    for (uint64_t i = 0, at = data; i < count; ++i, at += kHeapId) {
      const uint64_t length = Get(at, 4), collection = Get(at + 4, 8), index = Get(at + 12, 4);
      if (collection == 0) continue;  // a null string is not read, whatever its length
      const auto& objects = HeapObjects(collection);
      const auto object = objects.find(index);
      if (object == objects.end() || object->second > length || length > image_.size()) {
        return Corrupt("a variable-length string names no object of its global heap");
      }
    }
    return absl::OkStatus();
  }

  // Object index -> size for the collection at `addr` (empty if none there).
  const std::map<uint64_t, uint64_t>& HeapObjects(uint64_t addr) {
    auto [it, inserted] = heaps_.try_emplace(addr);
    if (!inserted || !Fits(addr, 16) || image_.compare(addr, 4, "GCOL") != 0) return it->second;
    const uint64_t size = Get(addr + 8, 8);
    if (!Fits(addr, size)) return it->second;
    // CheckGlobalHeaps has already refused collections HDF5 cannot walk.
    for (uint64_t p = addr + 16; p + 16 <= addr + size;) {
      const uint64_t index = Get(p, 2), bytes = Get(p + 8, 8);
      if (index == 0) break;  // free space ends the objects
      it->second[index] = bytes;
      if (bytes > addr + size - p - 16) break;
      p += 16 + (bytes + 7) / 8 * 8;
    }
    return it->second;
  }

  const std::string& image_;
  std::map<uint64_t, std::map<uint64_t, uint64_t>> heaps_;
  std::vector<uint64_t> headers_;
  std::vector<Chunk> chunks_;
  std::unordered_set<uint64_t> seen_headers_;
  std::set<std::pair<uint64_t, uint64_t>> seen_chunks_;
  uint64_t walked_ = 0;
};

}  // namespace

absl::Status CheckObjectHeaders(const std::string& image) { return HeaderWalker(image).Run(); }

}  // namespace ganserve
