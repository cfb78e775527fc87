package main

import (
	"fmt"
	"os"
	"path/filepath"
)

// writeFileAtomic makes path hold data with mode perm such that a crash at
// any moment leaves either no file, the old file or the whole new one:
// data goes to a temporary file in the same directory, which is synced,
// then moved into place, and the directory is synced so the move itself
// survives a power loss. With replace false an existing path is kept and
// os.ErrExist returned, so two processes starting at once cannot both
// create it.
func writeFileAtomic(path string, data []byte, perm os.FileMode, replace bool) (err error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			_ = os.Remove(tmp)
		}
	}()
	if err = f.Chmod(perm); err == nil {
		if _, err = f.Write(data); err == nil {
			err = f.Sync()
		}
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if replace {
		err = os.Rename(tmp, path)
	} else {
		// A hard link fails if path exists, unlike a rename.
		if err = os.Link(tmp, path); err == nil {
			err = os.Remove(tmp)
		}
	}
	if err != nil {
		return err
	}
	return syncDir(dir)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("sync directory %s: %w", dir, err)
	}
	return nil
}
