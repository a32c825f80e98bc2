package embedded

// mapped is a file's bytes in memory (see mapFile).
type mapped struct {
	b     []byte
	unmap func() error // nil: nothing to release
}

// release gives the memory back; nothing read from b may be used after.
func (m *mapped) release() error {
	if m == nil || m.unmap == nil {
		return nil
	}
	err := m.unmap()
	m.b, m.unmap = nil, nil
	return err
}
