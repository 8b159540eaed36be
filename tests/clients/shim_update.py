"""A running containerd task's resources updated the way containerd updates
them: the task API's Update, sent to the task's runc shim
(containerd-shim-runc-v2) over its ttrpc socket. ctr 1.6 has no
`tasks update`, and containerd's own Tasks service speaks only gRPC; the shim
is where containerd's Update lands, and it runs `<runtime> update --resources -`
with the resources as JSON on stdin, as for every containerd client.

The wire format, hand-encoded (protobuf varints and length-delimited fields;
no grpc or protobuf package needed):
  frame    = length u32 BE | stream id u32 BE (odd: client) | type u8 (1 request,
             2 response) | flags u8 | payload
  Request  = service 1, method 2, payload 3, timeout_nano 4, metadata 5 {key 1, value 2}
  Response = status 1 {code 1, message 2}, payload 2
  UpdateTaskRequest = id 1, resources 2 (google.protobuf.Any {type_url 1, value 2})
The Any's value is the runtime-spec LinuxResources as JSON (containerd's typeurl
marshals a Go struct that is not a protobuf message as JSON; the shim decodes it
with json.Unmarshal).
"""

import json
import os
import socket
import struct

from lane import Failure

SERVICE = "containerd.task.v2.Task"
RESOURCES_URL = "types.containerd.io/opencontainers/runtime-spec/1/LinuxResources"


def _varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def _field(number, data):
    """A length-delimited field (wire type 2)."""
    if isinstance(data, str):
        data = data.encode()
    return _varint(number << 3 | 2) + _varint(len(data)) + data


def _fields(buf):
    """{field number: [value...]} of a protobuf message (varint and length-delimited only)."""
    found, i = {}, 0
    while i < len(buf):
        key, i = _read_varint(buf, i)
        number, kind = key >> 3, key & 7
        if kind == 0:
            value, i = _read_varint(buf, i)
        elif kind == 2:
            size, i = _read_varint(buf, i)
            value, i = buf[i:i + size], i + size
        else:
            raise Failure(f"ttrpc: unexpected protobuf wire type {kind} in the shim's answer")
        found.setdefault(number, []).append(value)
    return found


def _read_varint(buf, i):
    n = shift = 0
    while True:
        b = buf[i]
        i += 1
        n |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return n, i


def _recv(sock, size):
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise Failure("ttrpc: the shim closed the connection before answering")
        data += chunk
    return data


def shim_address(state_dir, namespace, task_id):
    """The socket path the runc shim of a task listens on (its bundle's `address` file)."""
    path = os.path.join(state_dir, "io.containerd.runtime.v2.task", namespace, task_id, "address")
    try:
        with open(path) as f:
            address = f.read().strip()
    except OSError as e:
        raise Failure(f"no shim address for task {task_id}: {path}: {e.strerror}")
    return address.removeprefix("unix://")


def call(address, method, payload, namespace, timeout=60):
    """One ttrpc request to the shim; returns the response payload or raises Failure
    with the shim's status message."""
    request = (_field(1, SERVICE) + _field(2, method) + _field(3, payload)
               + _field(5, _field(1, "containerd-namespace-ttrpc") + _field(2, namespace)))
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        sock.connect(address)
        sock.sendall(struct.pack(">IIBB", len(request), 1, 1, 0) + request)
        length, stream, kind, _ = struct.unpack(">IIBB", _recv(sock, 10))
        body = _recv(sock, length)
    if stream != 1 or kind != 2:
        raise Failure(f"ttrpc: unexpected frame (stream {stream}, type {kind}) from the shim")
    response = _fields(body)
    status = _fields(response.get(1, [b""])[0])
    code = status.get(1, [0])[0]
    if code:
        message = status.get(2, [b""])[0].decode(errors="replace")
        raise Failure(f"shim {method}: code {code}: {message}")
    return response.get(2, [b""])[0]


def update(state_dir, namespace, task_id, resources):
    """Updates a running task's resources (a runtime-spec LinuxResources dict)."""
    any_ = _field(1, RESOURCES_URL) + _field(2, json.dumps(resources))
    call(shim_address(state_dir, namespace, task_id), "Update",
         _field(1, task_id) + _field(2, any_), namespace)
