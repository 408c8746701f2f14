package domain

import "container/heap"

// A minimum-cost maximum flow by successive shortest paths (the primal-dual method): each phase finds the shortest
// distances from the source by Dijkstra over costs reduced by potentials (so every reduced cost stays ≥ 0), then
// augments every path of zero reduced cost it can find before searching again. With a proposal's small whole-number
// costs there are few distinct path lengths, so few phases.

type flowGraph struct {
	head []int32
	next []int32
	to   []int32
	cp   []int32
	cost []int64
}

func newFlowGraph(n int) *flowGraph {
	g := &flowGraph{head: make([]int32, n)}
	for i := range g.head {
		g.head[i] = -1
	}
	return g
}

// addNodes adds n nodes and returns the first one's number.
func (g *flowGraph) addNodes(n int) int {
	first := len(g.head)
	for range n {
		g.head = append(g.head, -1)
	}
	return first
}

// addEdge adds an edge and its residual twin; it returns the edge's number (its twin is the number ^ 1).
func (g *flowGraph) addEdge(u, v, capacity int, cost int64) int {
	e := len(g.to)
	g.to = append(g.to, int32(v), int32(u))
	g.cp = append(g.cp, int32(capacity), 0)
	g.cost = append(g.cost, cost, -cost)
	g.next = append(g.next, g.head[u], g.head[v])
	g.head[u], g.head[v] = int32(e), int32(e+1)
	return e
}

type distItem struct {
	node int32
	dist int64
}

type distHeap []distItem

func (h distHeap) Len() int           { return len(h) }
func (h distHeap) Less(i, j int) bool { return h[i].dist < h[j].dist }
func (h distHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *distHeap) Push(x any)        { *h = append(*h, x.(distItem)) }
func (h *distHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// minCostMaxFlow sends as much as it can from s to t at the least cost; the flow is left in the residual
// capacities. Every cost must be ≥ 0 to start with.
func (g *flowGraph) minCostMaxFlow(s, t int) {
	n := len(g.head)
	const inf = int64(1) << 62
	dual := make([]int64, n)
	dist := make([]int64, n)
	done := make([]bool, n)
	dead := make([]int32, n) // the phase a node was found to lead nowhere in
	seen := make([]int32, n) // the search a node was visited in
	var h distHeap
	phase, search := int32(0), int32(0)
	reduced := func(u int, e int32) int64 { return g.cost[e] - dual[g.to[e]] + dual[u] }
	var dfs func(u int) bool
	dfs = func(u int) bool {
		if u == t {
			return true
		}
		seen[u] = search
		for e := g.head[u]; e >= 0; e = g.next[e] {
			v := int(g.to[e])
			if g.cp[e] == 0 || seen[v] == search || dead[v] == phase || reduced(u, e) != 0 {
				continue
			}
			if dfs(v) {
				g.cp[e]--
				g.cp[e^1]++
				return true
			}
		}
		dead[u] = phase
		return false
	}
	for {
		for i := range dist {
			dist[i], done[i] = inf, false
		}
		dist[s] = 0
		h = append(h[:0], distItem{int32(s), 0})
		for h.Len() > 0 {
			it := heap.Pop(&h).(distItem)
			u := int(it.node)
			if done[u] || it.dist > dist[u] {
				continue
			}
			done[u] = true
			if u == t {
				break
			}
			for e := g.head[u]; e >= 0; e = g.next[e] {
				if g.cp[e] == 0 {
					continue
				}
				v := g.to[e]
				if nd := dist[u] + reduced(u, e); nd < dist[v] {
					dist[v] = nd
					heap.Push(&h, distItem{v, nd})
				}
			}
		}
		if !done[t] {
			return
		}
		for v := range dual {
			if done[v] {
				dual[v] -= dist[t] - dist[v]
			}
		}
		phase++
		for {
			search++
			if !dfs(s) {
				break
			}
		}
	}
}
