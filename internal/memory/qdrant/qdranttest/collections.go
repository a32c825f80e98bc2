package qdranttest

import (
	"slices"

	"github.com/qdrant/go-client/qdrant"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
)

func (s *Server) createCollection(r *qdrant.CreateCollection) (*qdrant.CollectionOperationResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	name := r.GetCollectionName()
	if _, ok := s.collections[name]; ok {
		// StorageError::AlreadyExists → tonic::Code::AlreadyExists
		// (lib/storage/src/content_manager/conversions.rs).
		return nil, status.Errorf(codes.AlreadyExists, "Wrong input: Collection `%s` already exists!", name)
	}
	c := &collection{
		dense: map[string]uint64{}, sparse: map[string]bool{},
		indexes: map[string]qdrant.FieldType{}, points: map[string]*point{},
	}
	if !s.version.less(versionMetadata) {
		c.metadata = r.GetMetadata()
	}
	if s.opts.Strict != nil {
		c.strict = proto.Clone(s.opts.Strict).(*qdrant.StrictModeConfig)
	}
	vc := r.GetVectorsConfig()
	if p := vc.GetParams(); p != nil {
		c.dense[""] = p.GetSize()
	}
	for name, p := range vc.GetParamsMap().GetMap() {
		if p.GetSize() == 0 {
			return nil, status.Errorf(codes.InvalidArgument, "vector %q: size must be positive", name)
		}
		if p.GetDistance() != qdrant.Distance_Cosine {
			return nil, status.Errorf(codes.Unimplemented, "qdrant stand-in: distance %v (only Cosine)", p.GetDistance())
		}
		c.dense[name] = p.GetSize()
	}
	for name, p := range r.GetSparseVectorsConfig().GetMap() {
		c.sparse[name] = p.GetModifier() == qdrant.Modifier_Idf
	}
	s.collections[name] = c
	return &qdrant.CollectionOperationResponse{Result: true}, nil
}

func (s *Server) getCollection(r *qdrant.GetCollectionInfoRequest) (*qdrant.GetCollectionInfoResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.collection(r.GetCollectionName())
	if err != nil {
		return nil, err
	}
	params := map[string]*qdrant.VectorParams{}
	for name, size := range c.dense {
		params[name] = &qdrant.VectorParams{Size: size, Distance: qdrant.Distance_Cosine}
	}
	sparse := map[string]*qdrant.SparseVectorParams{}
	for name, idf := range c.sparse {
		p := &qdrant.SparseVectorParams{}
		if idf {
			p.Modifier = qdrant.Modifier_Idf.Enum()
		}
		sparse[name] = p
	}
	schema := map[string]*qdrant.PayloadSchemaInfo{}
	for field, ft := range c.indexes {
		schema[field] = &qdrant.PayloadSchemaInfo{DataType: schemaType(ft), Points: qdrant.PtrOf(uint64(len(c.points)))}
	}
	n := uint64(len(c.points))
	return &qdrant.GetCollectionInfoResponse{Result: &qdrant.CollectionInfo{
		Status:        qdrant.CollectionStatus_Green,
		PointsCount:   &n,
		PayloadSchema: schema,
		Config: &qdrant.CollectionConfig{
			Params: &qdrant.CollectionParams{
				VectorsConfig:       qdrant.NewVectorsConfigMap(params),
				SparseVectorsConfig: qdrant.NewSparseVectorsConfig(sparse),
			},
			StrictModeConfig: c.strict,
			Metadata:         c.metadata,
		},
	}}, nil
}

func schemaType(ft qdrant.FieldType) qdrant.PayloadSchemaType {
	switch ft {
	case qdrant.FieldType_FieldTypeKeyword:
		return qdrant.PayloadSchemaType_Keyword
	case qdrant.FieldType_FieldTypeInteger:
		return qdrant.PayloadSchemaType_Integer
	case qdrant.FieldType_FieldTypeText:
		return qdrant.PayloadSchemaType_Text
	}
	return qdrant.PayloadSchemaType_UnknownType
}

func (s *Server) collectionExists(r *qdrant.CollectionExistsRequest) (*qdrant.CollectionExistsResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.collections[r.GetCollectionName()]
	return &qdrant.CollectionExistsResponse{Result: &qdrant.CollectionExists{Exists: ok}}, nil
}

func (s *Server) deleteCollection(r *qdrant.DeleteCollection) (*qdrant.CollectionOperationResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	name := r.GetCollectionName()
	_, ok := s.collections[name]
	delete(s.collections, name)
	for a, c := range s.aliases {
		if c == name {
			delete(s.aliases, a)
		}
	}
	return &qdrant.CollectionOperationResponse{Result: ok}, nil
}

func (s *Server) updateAliases(r *qdrant.ChangeAliases) (*qdrant.CollectionOperationResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, op := range r.GetActions() {
		switch a := op.GetAction().(type) {
		case *qdrant.AliasOperations_CreateAlias:
			name, target := a.CreateAlias.GetAliasName(), a.CreateAlias.GetCollectionName()
			if name == "" || len(name) > 255 {
				return nil, status.Errorf(codes.InvalidArgument, "Validation error in body: alias name length %d, want 1 to 255", len(name))
			}
			if _, ok := s.collections[target]; !ok {
				return nil, status.Errorf(codes.NotFound, "Not found: Collection `%s` doesn't exist!", target)
			}
			if _, ok := s.collections[name]; ok {
				return nil, status.Errorf(codes.AlreadyExists, "Wrong input: Collection `%s` already exists!", name)
			}
			s.aliases[name] = target
		case *qdrant.AliasOperations_DeleteAlias:
			delete(s.aliases, a.DeleteAlias.GetAliasName())
		default:
			return nil, status.Errorf(codes.Unimplemented, "qdrant stand-in: alias action %T", a)
		}
	}
	return &qdrant.CollectionOperationResponse{Result: true}, nil
}

func (s *Server) listCollectionAliases(r *qdrant.ListCollectionAliasesRequest) (*qdrant.ListAliasesResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.collections[r.GetCollectionName()]; !ok {
		return nil, status.Errorf(codes.NotFound, "Not found: Collection `%s` doesn't exist!", r.GetCollectionName())
	}
	var out []*qdrant.AliasDescription
	for a, c := range s.aliases {
		if c == r.GetCollectionName() {
			out = append(out, &qdrant.AliasDescription{AliasName: a, CollectionName: c})
		}
	}
	slices.SortFunc(out, func(a, b *qdrant.AliasDescription) int {
		if a.AliasName < b.AliasName {
			return -1
		}
		return 1
	})
	return &qdrant.ListAliasesResponse{Aliases: out}, nil
}

func (s *Server) createFieldIndex(r *qdrant.CreateFieldIndexCollection) (*qdrant.PointsOperationResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.collection(r.GetCollectionName())
	if err != nil {
		return nil, err
	}
	if c.strict.GetEnabled() {
		if lim := c.strict.MaxPayloadIndexCount; lim != nil {
			if _, ok := c.indexes[r.GetFieldName()]; !ok && uint64(len(c.indexes)) >= *lim {
				return nil, strictError("Limit exceeded %d > %d for \"payload index count\"", len(c.indexes)+1, *lim)
			}
		}
	}
	c.indexes[r.GetFieldName()] = r.GetFieldType()
	return done(), nil
}
