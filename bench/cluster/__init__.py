"""Scale-out and crash proofs: several web servers and workers sharing only PostgreSQL and Redis,
killed with kill -9 under the lifecycle load (`make cluster`, `make soak`; not part of `make test`)."""
