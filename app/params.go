package app

import (
	"strconv"

	"github.com/labstack/echo/v4"

	"guanai/domain"
)

// pathID reads the :id of a path. An id that is not a positive number names nothing: 404.
func pathID(c echo.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, domain.ErrNotFound
	}
	return id, nil
}

// pageParam reads ?page=, 1 when it is missing or not a page number.
func pageParam(c echo.Context) int {
	n, err := strconv.Atoi(c.QueryParam("page"))
	if err != nil || n < 1 {
		return 1
	}
	return n
}

// itoa64 writes an id into a path.
func itoa64(id int64) string { return strconv.FormatInt(id, 10) }
