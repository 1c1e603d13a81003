package web

import (
	"github.com/gofiber/fiber/v2"

	"github.com/riskreg/riskreg/app/risk"
)

// readTaskFields applies a task body to in: on create the title is
// required; on PATCH absent fields are unchanged and null clears the due
// date and the assignee.
func readTaskFields(z *zodObject, in *risk.TaskInput, create bool) {
	if v, ok := z.str("title", create, false); ok {
		if v == "" {
			z.add("title", "Title is required")
		}
		in.Title = v
	}
	if v, ok := z.str("description", false, false); ok {
		in.Description = v
	}
	if v, ok := z.enum("status", risk.TaskStatuses, false, false); ok {
		in.Status = v
	}
	if d, ok := z.date("dueDate"); ok {
		in.DueDate = d
	}
	if v, ok := z.str("assigneeId", false, true); ok {
		in.AssigneeID = v
	}
}

// listTasksAPI is GET /api/v1/risks/:id/tasks.
func (s *Server) listTasksAPI(c *fiber.Ctx) error {
	tasks, err := s.Risks.Tasks(c.UserContext(), apiKeyOf(c).OrganizationID, c.Params("id"))
	if err != nil {
		return apiNotFound(err)
	}
	out := make([]apiTask, len(tasks))
	for i, t := range tasks {
		out[i] = toAPITask(t)
	}
	return sendData(c, fiber.StatusOK, out)
}

// createTaskAPI is POST /api/v1/risks/:id/tasks.
func (s *Server) createTaskAPI(c *fiber.Ctx) error {
	z, _, err := jsonObject(c)
	if err != nil {
		return err
	}
	var in risk.TaskInput
	readTaskFields(z, &in, true)
	if !z.ok() {
		return z.err()
	}
	t, err := s.Risks.AddTask(c.UserContext(), apiKeyOf(c).OrganizationID, apiActor(c), c.Params("id"), in)
	if err != nil {
		return apiNotFound(err)
	}
	return sendData(c, fiber.StatusCreated, toAPITask(t))
}

// patchTaskAPI is PATCH /api/v1/risks/:id/tasks/:taskId.
func (s *Server) patchTaskAPI(c *fiber.Ctx) error {
	z, _, err := jsonObject(c)
	if err != nil {
		return err
	}
	t, err := s.Risks.PatchTask(c.UserContext(), apiKeyOf(c).OrganizationID, apiActor(c), c.Params("id"), c.Params("taskId"),
		func(in *risk.TaskInput) error {
			readTaskFields(z, in, false)
			return z.err()
		})
	if err != nil {
		return apiNotFound(err)
	}
	return sendData(c, fiber.StatusOK, toAPITask(t))
}

// deleteTaskAPI is DELETE /api/v1/risks/:id/tasks/:taskId.
func (s *Server) deleteTaskAPI(c *fiber.Ctx) error {
	if err := s.Risks.DeleteTask(c.UserContext(), apiKeyOf(c).OrganizationID, apiActor(c), c.Params("id"), c.Params("taskId")); err != nil {
		return apiNotFound(err)
	}
	return sendData(c, fiber.StatusOK, fiber.Map{"message": "Task deleted successfully"})
}
